# The OSRM fixtures (a real osrm-routed per test session) serve both tests/geo and tests/service.
pytest_plugins = ["tests.geo.osrm_server"]
