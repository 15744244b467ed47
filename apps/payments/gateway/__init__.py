"""Adapters to external payment rails' gateways. The product talks to gateways only through
``PaymentGateway`` (base.py); ``velocitypay.py`` is the HTTP implementation for the VelocityPay gateway and
``simulator.py`` a local VelocityPay that tests and the demo run on loopback."""
