"""dbt Python models on dbt-spark's session method.

dbt-spark (1.11) submits a Python model only to Databricks (its `all_purpose_cluster` and `job_cluster`
submission methods call Databricks' REST APIs); with `method: session` there is no way to run one, although
the Spark session is right there in the dbt process (upstream: dbt-labs/dbt-spark issue 415, and the open
pull request 1063 proposing exactly this). `enable_session_python_models()` adds a `session` submission
method that runs the compiled model (the model's code plus dbt-spark's own code that writes the table) in
this process with the session dbt uses, and makes it the default when the profile's method is `session`.
It changes nothing for other methods, and only in the process that calls it (orchestration.spark runs dbt
in-process for that reason).
"""

from __future__ import annotations

from typing import Any


def enable_session_python_models() -> None:
    from dbt.adapters.base import PythonJobHelper
    from dbt.adapters.spark.impl import SparkAdapter

    if getattr(SparkAdapter, "_pulse_session_python", False):
        return

    class SessionPythonJobHelper(PythonJobHelper):
        def __init__(self, parsed_model: dict[str, Any], credentials: Any) -> None:  # noqa: ANN401
            self.name = f"{parsed_model.get('schema')}.{parsed_model.get('alias')}"

        def submit(self, compiled_code: str) -> None:
            from pyspark.sql import SparkSession

            spark = SparkSession.builder.getOrCreate()  # the session dbt-spark's cursor created
            exec(compile(compiled_code, f"<dbt python model {self.name}>", "exec"), {"spark": spark})

    helpers = SparkAdapter.python_submission_helpers.fget
    default = SparkAdapter.default_python_submission_method.fget

    def python_submission_helpers(self: SparkAdapter) -> dict[str, type]:
        return {**helpers(self), "session": SessionPythonJobHelper}

    def default_python_submission_method(self: SparkAdapter) -> str:
        method = getattr(self.config.credentials, "method", None)
        return "session" if str(method) in ("session", "SparkConnectionMethod.SESSION") else default(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)
    SparkAdapter._pulse_session_python = True
