"""The supervisor's board: promises at risk, late handoffs, the iceberg, root causes, advisor measures."""
