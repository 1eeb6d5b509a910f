"""The Qt front end: the main window, its panels and item models, and the qasync event loop."""
