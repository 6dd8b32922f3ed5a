-- Each data source's completeness (marts.dim_data_sources): the last complete day, staleness, and the as-of date
-- that follows from them.
select
    label as data,
    source,
    case when is_required then 'yes' else 'no' end as required,
    watermark_date as complete_through,
    latest_data_date as newest_data,
    days_behind_as_of as days_behind,
    case
        when is_stale then 'stale since ' || cast(stale_since as varchar) || ': its metrics are unknown'
        when latest_data_date > watermark_date then 'incomplete after ' || cast(watermark_date as varchar)
        else 'complete'
    end as state
from marts.dim_data_sources
order by is_required desc, source
