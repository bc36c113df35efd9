"""How the directory reacts to other events: none yet. The status ("open now") is computed
on every read from the shared calendar, so ``core.CalendarChanged`` needs no recomputation."""
