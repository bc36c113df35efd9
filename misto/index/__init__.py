"""The City Progress Index: 100+ indicators with their lineage, targets and yearly report.

The catalogue (``catalogue.csv``: ISO 37120/37122/37123, U4SSC and the strategy's KPIs) is
data, validated on load. Computed indicators are evaluated by functions the owning modules
export on purpose (``MistoModule.indicators``: ``IndicatorFunction``s in each module's
``indicators.py``), for any year, quarter or month and, where the data allows, per
district; this module never reads another module's tables. Entered and imported values keep
the person and the source document; every value keeps its history. The composite index
normalises with fixed goalposts; the yearly monitoring report compares actual with planned.

It exports no function to other modules; it publishes ``index.ValuesComputed``,
``index.EnteredValueMissing`` and ``index.ReportGenerated`` (docs/events.md).
"""
