"""Notifications: web push, SMS (two-way) and email, delivered from the outbox once and only once.

Flow: an in-transaction handler (policy) writes OutboxMessage rows with dedupe keys next to the change that
causes them; the one scheduler process delivers due rows (dispatch) through the channels (push, sms, email)
in the customer's language (messages); webhooks take inbound SMS, provider status and push subscriptions.
"""
