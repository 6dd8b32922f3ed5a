"""Follows and daily digests: who follows what (seeds/follows.csv), one digest per follower and day of what
changed for them (marts.fct_alerts), an outbox under var/ and SMTP sending with a sent ledger."""
