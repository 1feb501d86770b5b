"""boligmonitor: boligsosial monitorering for Norway, its municipalities and areas inside them."""

__version__ = "0.1.0"
