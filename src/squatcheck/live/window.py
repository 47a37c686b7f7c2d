"""Where frames are shown: an OpenCV HighGUI window, or nowhere (``--no-window``).

This OpenCV build's HighGUI uses Qt 5 (``cv2.getBuildInformation()``), which
works under a plain X server such as Xvfb. ``WINDOW_GUI_NORMAL`` hides Qt's
toolbar so the window is just the picture.
"""

from __future__ import annotations

import os
import socket

import cv2
import numpy as np

from ..errors import NoDisplay

QUIT_KEYS = {ord("q"), ord("Q"), 27}  # q, Esc


class Window:
    """``show(image) -> wants_quit``; closing the window also counts as quitting."""

    def __init__(self, title: str = "squatcheck live"):
        display = os.environ.get("DISPLAY", "")
        if not display:
            raise NoDisplay("There is no display to open the live window on; run it on a "
                            "desktop, or pass --no-window to record and report without one.")
        if not x_display_reachable(display):
            raise NoDisplay(f"The display {display} does not answer; check DISPLAY, or pass "
                            "--no-window to record and report without a window.")
        self.title = title
        try:
            cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
        except cv2.error as exc:
            raise NoDisplay(f"The live window could not be opened ({exc.err.strip()}); pass "
                            "--no-window to record and report without one.") from None
        self._shown = False

    def show(self, image: np.ndarray) -> bool:
        cv2.imshow(self.title, image)
        key = cv2.waitKey(1)
        quit_ = key != -1 and (key & 0xFF) in QUIT_KEYS
        if self._shown and cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1:
            quit_ = True  # the user closed it
        self._shown = True
        return quit_

    def poll(self) -> bool:
        """Keep the window responsive while no frame arrives; True if the user quits."""
        if not self._shown:
            return False
        key = cv2.waitKey(5)
        if key != -1 and (key & 0xFF) in QUIT_KEYS:
            return True
        return cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1

    def close(self) -> None:
        try:
            cv2.destroyWindow(self.title)
            cv2.waitKey(1)
        except cv2.error:
            pass


def x_display_reachable(display: str, timeout_s: float = 1.0) -> bool:
    """Can an X client connect to ``display``? Asked first because Qt aborts the whole
    process (no exception) when it cannot."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return False
    if host in ("", "unix"):
        addresses = [(socket.AF_UNIX, f"\0/tmp/.X11-unix/X{number}"),
                     (socket.AF_UNIX, f"/tmp/.X11-unix/X{number}")]
    else:
        addresses = [(socket.AF_INET, (host, 6000 + int(number)))]
    for family, address in addresses:
        try:
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(timeout_s)
                sock.connect(address)
                return True
        except OSError:
            continue
    return False


class NullWindow:
    """``--no-window``: nothing shown, nothing to quit from (Ctrl-C still stops)."""

    def show(self, image: np.ndarray) -> bool:
        return False

    def poll(self) -> bool:
        return False

    def close(self) -> None:
        pass
