"""Every operation on signatures that has side effects, one module per concern.

Views, API routes, admin actions and tasks validate their input, then call these. Services
never import an entry point or a task: they enqueue work by task name (outbox.py).
"""
