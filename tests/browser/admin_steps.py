"""Steps a person takes in the Django admin, written once for the browser tests. Each step that loads a page
returns once the new page has loaded, so what follows (a look at the page, a database assert) sees its result."""

from __future__ import annotations


def follow(page, target) -> None:
    """Click ``target`` (a selector or a locator) and wait for the page it loads."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)
        else:
            target.click()


def run_action(page, selected: list[int], action: str, *, reason: str = "") -> None:
    """Tick the rows ``selected`` (primary keys) in a change list, choose ``action`` (its name), give the action
    form's reason if any, and press Go."""
    for pk in selected:
        page.check(f"input[name=_selected_action][value='{pk}']")
    page.select_option("select[name=action]", action)
    if reason:
        page.fill("input[name=reason]", reason)
    follow(page, "button[name=index]")


def messages(page) -> list[str]:
    """The messages the admin shows at the top of the page, in order."""
    return [text.strip() for text in page.locator(".messagelist li").all_inner_texts()]


def rows(page) -> list[str]:
    """The rows of a change list, as text."""
    return page.locator("#result_list tbody tr").all_inner_texts()
