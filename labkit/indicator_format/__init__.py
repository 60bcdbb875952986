"""The lab indicators format, shared by a lab (the indicators plugin) and a hub (federation).

- :func:`validate` — every :class:`Problem` of a document ([] means valid), for every version read;
- :func:`observations` — a document as flat :class:`Row` objects (:func:`slices`: by lab and period);
- :func:`period_entry` — rows back into a document's period;
- :func:`schema` and :data:`VERSIONS` — the JSON Schemas and the version policy;
- the tabular writers: :func:`sdmx_csv`, :func:`observations_csv`, :func:`datapackage_zip`,
  :func:`datapackage_files`, :func:`write`.

See docs/formats/indicators.md.
"""

from labkit.indicator_format.indicators import ALL, DIMENSIONS
from labkit.indicator_format.indicators import FORMATS as INDICATOR_FORMATS
from labkit.indicator_format.problems import Problem
from labkit.indicator_format.rows import Row, observations, period_entry, slices
from labkit.indicator_format.tabular import (
    DATAFLOW,
    SDMX_MEDIA_TYPE,
    datapackage_files,
    datapackage_zip,
    iso,
    observations_csv,
    sdmx_csv,
    write,
)
from labkit.indicator_format.validation import validate
from labkit.indicator_format.versions import CURRENT, VERSIONS, UnsupportedVersion, readable, schema, version_of

__all__ = [
    "ALL", "CURRENT", "DATAFLOW", "DIMENSIONS", "INDICATOR_FORMATS", "Problem", "Row", "SDMX_MEDIA_TYPE",
    "UnsupportedVersion", "VERSIONS", "datapackage_files", "datapackage_zip", "iso", "observations",
    "observations_csv", "period_entry", "readable", "schema", "sdmx_csv", "slices", "validate", "version_of", "write",
]
