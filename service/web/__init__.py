"""Pages people look at: the plan map, the rep's day page and the printable A4 day sheet (visit card), in
zh-CN and English. Routes in `service.web.routes`."""
