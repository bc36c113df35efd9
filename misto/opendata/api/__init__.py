"""The open-data module's machine interfaces: CKAN's Action API (``ckan.py``) and the
DCAT-AP catalogue (``catalog.py``), both in their standards' own shapes."""
