"""Sensor models: failure probability and type, remaining useful life, anomalies, SPC charts and rules."""

from sensors.failure import FailureModel
from sensors.readings import import_cycles, import_readings
from sensors.rul import RulModel
from sensors.status import MachineStatus, machine_status

__all__ = ["FailureModel", "MachineStatus", "RulModel", "import_cycles", "import_readings", "machine_status"]
