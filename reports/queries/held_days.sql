-- Days the brake on mass changes holds (orchestration/release): nothing acts on them until `pulse confirm DATE`
-- or a calmer build. Newest first.
select
    as_of_date,
    summary,
    moved_share,
    compared_with
from raw.held_days
order by as_of_date desc
