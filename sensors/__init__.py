"""Sensor models: failure probability and type, remaining useful life, anomalies, SPC charts and rules."""

from shopfloor.sensors.failure import FailureModel
from shopfloor.sensors.readings import import_cycles, import_readings
from shopfloor.sensors.rul import RulModel
from shopfloor.sensors.status import MachineStatus, machine_status

__all__ = ["FailureModel", "MachineStatus", "RulModel", "import_cycles", "import_readings", "machine_status"]
