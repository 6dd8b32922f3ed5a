"""`make bench` (`python -m orchestration.bench`): throughput and peak memory of every stage.

`__main__` drives the run, `stages` names what each child process measures, and `generate`, `ingest`,
`health` (dbt) and `reports` measure one stage each.
"""
