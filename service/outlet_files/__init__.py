"""The coordinator's outlet files as pages: the outlet import (CSV, XLSX, GeoJSON) and the monthly OM file, each
previewed row by row with its problems before anything is written."""
