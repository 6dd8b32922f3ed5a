"""Sample-data generator: realistic, deterministic landing files for every Pulse source.

`generate_dataset(GenerateConfig(...))` writes the files described in pulse-contract.md
(Segment JSON lines, Totango sdr CSV, Zendesk tickets, Salesforce exports, ground truth) and
returns a `GenerateSummary`. The `pulse generate` command is a thin click wrapper around it.
"""

from orchestration.generate.core import GenerateConfig, GenerateSummary, generate_dataset

__all__ = ["GenerateConfig", "GenerateSummary", "generate_dataset"]
