"""HTTP routes, one module per resource. Routes stay thin: parse, call service/repository, shape the answer."""
