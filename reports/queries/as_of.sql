-- The day the reports are about: the newest day of the health marts. fct_population_health_daily and
-- fct_account_health_reasons_daily have the same days as fct_account_health_daily (they are computed from it).
select max(as_of_date) as as_of_date from marts.fct_account_health_daily
