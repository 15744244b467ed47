"""Adapters to credit bureaus. The loans app talks to a bureau only through ``CreditBureau`` (base.py);
``http.py`` is the HTTP implementation (the CreditLine bureau API) and ``simulator.py`` a local bureau with the
same API that tests and the demo run on loopback, as apps/payments/gateway does for the payment gateway.
``get_credit_bureau()`` (selection.py) gives the one the settings choose."""
