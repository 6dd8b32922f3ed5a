"""The dbt models on a local Spark (`make test-spark`): glue, not a second pipeline.

`python -m orchestration.spark [--accounts 20 --days 60]` generates a small sample, ingests it into DuckDB
with Pulse's own ingestion (the raw schema), writes each raw table to Parquet, and then, in this process, runs
dbt on the profile's `spark` target (dbt-spark's session method: pyspark in the dbt process): a
run-operation that declares the raw tables over the Parquet folders, then `dbt build` of the whole project
(seeds, models, data tests, unit tests). Everything lives under settings.spark_dir() (var/spark), laid anew
on each run. The Spark warehouse and its Derby Hive metastore stay there, so `dbt show --target spark` works
afterwards.

dbt-spark runs Python models only through Databricks' job APIs; `python_models.enable_session_python_models`
adds the in-process way for the session method (see that module).
"""
