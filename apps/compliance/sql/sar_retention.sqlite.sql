-- The SQLite version of sar_retention.pg.sql (same rule). Each statement follows a line holding only the
-- separator comment below (a CREATE TRIGGER has semicolons inside its body).
-- statement
CREATE TRIGGER compliance_sar_filed_kept_update
BEFORE UPDATE ON compliance_suspiciousactivityreport
WHEN OLD.status = 'filed' AND (
       NEW.status IS NOT OLD.status OR NEW.content IS NOT OLD.content
    OR NEW.content_sha256 IS NOT OLD.content_sha256 OR NEW.retain_until IS NOT OLD.retain_until
    OR NEW.filed_at IS NOT OLD.filed_at OR NEW.filed_by_id IS NOT OLD.filed_by_id
    OR NEW.case_id IS NOT OLD.case_id OR NEW.reason IS NOT OLD.reason
    OR NEW.action IS NOT OLD.action OR NEW.drafted_by_id IS NOT OLD.drafted_by_id
    OR NEW.approved_by_id IS NOT OLD.approved_by_id
    OR (OLD.fiu_reference <> '' AND (NEW.fiu_reference IS NOT OLD.fiu_reference
                                     OR NEW.acknowledged_at IS NOT OLD.acknowledged_at
                                     OR NEW.acknowledged_by_id IS NOT OLD.acknowledged_by_id)))
BEGIN
    SELECT RAISE(ABORT, 'SAR is filed: its content, hash, filing and retention are kept unchanged (compliance_sar_filed_kept)');
END;
-- statement
CREATE TRIGGER compliance_sar_filed_kept_delete
BEFORE DELETE ON compliance_suspiciousactivityreport
WHEN OLD.status = 'filed'
BEGIN
    SELECT RAISE(ABORT, 'SAR is filed: it is kept until its retention ends (compliance_sar_filed_kept)');
END;
