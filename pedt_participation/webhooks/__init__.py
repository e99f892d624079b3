"""Webhooks to the host platform: registered addresses, signed events, the delivery log."""
