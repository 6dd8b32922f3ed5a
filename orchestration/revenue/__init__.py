"""Renewals and revenue: validation of their configuration (seeds/renewal_risk_classes.csv)."""
