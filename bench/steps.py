"""Time spent per step of a request, in-process: each step's own time, without the steps it
calls, for the latency budgets of bench/profile_signing.py and bench/profile_page.py."""

import time


class Steps:
    """CPU and wall time per step of an action: each step's own time, without the steps it
    calls (a stack of the steps in progress), summed over requests."""

    def __init__(self):
        self.cpu, self.wall, self.stack = {}, {}, []

    def clear(self):
        self.cpu.clear()
        self.wall.clear()

    def timed(self, name, function):
        def step(*args, **kwargs):
            frame = [time.process_time(), time.perf_counter(), 0.0, 0.0]
            self.stack.append(frame)
            try:
                return function(*args, **kwargs)
            finally:
                self.stack.pop()
                cpu = time.process_time() - frame[0]
                wall = time.perf_counter() - frame[1]
                self.cpu[name] = self.cpu.get(name, 0.0) + cpu - frame[2]
                self.wall[name] = self.wall.get(name, 0.0) + wall - frame[3]
                if self.stack:
                    self.stack[-1][2] += cpu
                    self.stack[-1][3] += wall

        return step

    def wrap(self, owner, attribute, name):
        setattr(owner, attribute, self.timed(name, getattr(owner, attribute)))
