"""The state and its rules: residents, the city's ledger, hazards, event handlers, the scheduler, the parallel
machinery, the recorder and the model that wires them (docs/architecture.md)."""
