"""The result types the facade returns that the components define, named here for the edges.

The UI, the API and the CLI import result types from the pipeline, never from a component package
(tests/test_architecture.py checks it); the models themselves live beside the code that makes them.
"""

from shopfloor.assistant.pipeline.alarms import AlarmView
from shopfloor.assistant.pipeline.diagnose import Cause
from shopfloor.assistant.pipeline.inspection import Alternative, ImageModel, InspectedPhoto
from shopfloor.assistant.pipeline.knowledge import Added, Document
from shopfloor.assistant.pipeline.machines import Machine
from shopfloor.assistant.pipeline.outbox import OutboxReport
from shopfloor.assistant.pipeline.reviews import ClassifyRun, ColdStartCheck, LabelledText, RetrainReport
from shopfloor.assistant.pipeline.users import Account, AuditRow
from shopfloor.assistant.pipeline.workorders import WorkOrder
from shopfloor.sensors.readings import ImportReport, SensorColumn
from shopfloor.sensors.status import FleetRow, MachineStatus
from shopfloor.sensors.trends import TrendReport

__all__ = ["Account", "Added", "AlarmView", "Alternative", "AuditRow", "Cause", "ClassifyRun", "ColdStartCheck",
           "Document", "FleetRow", "ImageModel", "ImportReport", "InspectedPhoto", "LabelledText", "Machine",
           "MachineStatus", "OutboxReport", "RetrainReport", "SensorColumn", "TrendReport", "WorkOrder"]
