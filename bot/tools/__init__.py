"""Quality tooling, not needed to run the assistant: evaluation, content report, readability, benchmarks."""
