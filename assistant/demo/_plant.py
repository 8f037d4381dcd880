"""The fictional demo plant: machines, their failure knowledge (symptom, cause, remedy) and the taxonomy.

Everything here is written by us for the demo. Each machine has troubleshooting rows keyed by a
failure mode of the taxonomy; the manual generator renders them as tables, and the log generator
uses the same symptoms (in technician shorthand) so that manuals, incidents and logs agree.
"""

from __future__ import annotations

MACHINES = [
    # id, name, type, line
    ("P-101", "Cooling water pump P-101", "centrifugal pump", "Utilities"),
    ("M-201", "5-axis CNC mill M-201", "CNC mill", "Machining"),
    ("IM-301", "Injection moulding press IM-301", "injection moulding press", "Moulding"),
    ("CV-401", "Assembly belt conveyor CV-401", "belt conveyor", "Assembly"),
    ("AC-501", "Screw air compressor AC-501", "screw air compressor", "Utilities"),
    ("HP-601", "Hydraulic press HP-601", "hydraulic press", "Forming"),
]

FAILURE_MODES = {
    "bearing_wear": "Rolling-element or plain bearing worn or damaged (noise, vibration, heat at the bearing).",
    "seal_leak": "Mechanical seal, gasket or O-ring lets fluid escape.",
    "overheating": "Temperature above its normal band (motor, oil, barrel, discharge air).",
    "electrical_fault": "Motor, drive, wiring, fuse, contactor or power-supply fault.",
    "misalignment": "Shafts, belts or tooling out of alignment or true.",
    "blockage": "Flow path or filter clogged, restricted or obstructed.",
    "lubrication_failure": "Too little, wrong or contaminated lubricant.",
    "sensor_fault": "A sensor, switch or encoder gives false or no readings.",
    "tool_wear": "Cutting tool, mould or die worn, chipped or broken.",
    "hydraulic_leak": "Hydraulic oil lost from hoses, fittings or cylinders; pressure drops.",
    "belt_slip": "Belt slipping, tracking off or worn.",
    "vibration_imbalance": "Rotating part unbalanced or loose, causing vibration without bearing damage.",
}

COMPONENTS = {
    "bearing": "Bearings and bushings.", "seal": "Seals, gaskets, O-rings.", "motor": "Electric motors and drives.",
    "impeller": "Pump impellers and fans.", "spindle": "Machine-tool spindles.", "tool": "Cutters, moulds, dies.",
    "belt": "Belts, pulleys, rollers.", "valve": "Valves and solenoids.", "sensor": "Sensors, switches, encoders.",
    "hose": "Hoses, pipes and fittings.", "filter": "Filters and strainers.", "heater": "Heater bands and coolers.",
    "cylinder": "Hydraulic and pneumatic cylinders.",
}

ACTIONS = {
    "replace": "Part replaced.", "adjust": "Adjusted, aligned or re-tensioned.", "clean": "Cleaned or flushed.",
    "lubricate": "Lubricated or oil changed.", "tighten": "Fastener or fitting tightened.",
    "recalibrate": "Sensor or control recalibrated / reset.", "repair": "Repaired in place (weld, rewire, re-seat).",
}

SEVERITY = {
    "low": "No production impact; fix at next planned stop.",
    "medium": "Degraded output or quality; fix this shift.",
    "high": "Machine stopped or unsafe; fix now.",
}

COMPLAINT_CATEGORIES = {
    "dimensional": "Part out of tolerance: size, flatness, hole position.",
    "surface_defect": "Scratches, burrs, flash, sink marks, discolouration.",
    "contamination": "Oil, dirt, chips or foreign material on or in the part.",
    "functional": "Part does not work in the customer's assembly: leaks, cracks, breaks.",
    "packaging_labelling": "Wrong label, wrong quantity, mixed parts, poor packaging.",
    "delivery_damage": "Damaged or late on arrival.",
}

# machine id -> list of (failure_mode, component, symptom, cause, remedy, action, error code or "")
TROUBLE = {
    "P-101": [
        ("bearing_wear", "bearing", "Rumbling noise from the bearing housing, vibration rising",
         "Bearing worn after long running or water in the oil", "Replace both pump bearings (part PB-6308); check oil for water", "replace", "E-11"),
        ("seal_leak", "seal", "Water dripping from the shaft seal area",
         "Mechanical seal faces worn or pump ran dry", "Replace mechanical seal kit MS-40; never run the pump dry", "replace", ""),
        ("blockage", "filter", "Flow low, suction pressure below -0.4 bar, crackling noise (cavitation)",
         "Suction strainer clogged or suction valve partly closed", "Clean strainer ST-2; open suction valve fully; check NPSH", "clean", "E-14"),
        ("overheating", "motor", "Motor housing hot, thermal trip after 20 min",
         "Cooling fan cover blocked or motor overloaded by worn impeller", "Clear the fan cover; measure current against nameplate", "clean", "E-21"),
        ("misalignment", "bearing", "Coupling worn, vibration at twice running speed",
         "Pump and motor shafts out of alignment after maintenance", "Laser-align pump and motor to 0.05 mm", "adjust", ""),
        ("electrical_fault", "motor", "Pump does not start, contactor chatters",
         "Loose terminal or failed contactor K1", "Tighten terminals; replace contactor K1 if pitted", "repair", "E-30"),
        ("vibration_imbalance", "impeller", "Vibration high at running speed, no bearing noise",
         "Impeller fouled or eroded and out of balance", "Clean or replace impeller IMP-250 and rebalance", "replace", ""),
    ],
    "M-201": [
        ("tool_wear", "tool", "Poor surface finish, chatter marks on finishing pass, spindle load up",
         "End mill worn or chipped", "Replace the cutter; check tool life counter and reduce feed per tooth", "replace", "E-42"),
        ("bearing_wear", "spindle", "Spindle noise at high rpm, spindle temperature over 45 C",
         "Spindle bearings worn or lost preload", "Run spindle warm-up; if noise persists replace spindle cartridge SP-12", "replace", "E-47"),
        ("lubrication_failure", "spindle", "Way lube low alarm, axis stick-slip",
         "Way oil tank empty or metering unit blocked", "Fill way oil (ISO VG 68); bleed and check metering unit", "lubricate", "E-51"),
        ("sensor_fault", "sensor", "Axis position error, machine stops with following error",
         "Encoder cable damaged or scale dirty", "Clean linear scale; check encoder cable X-axis; recalibrate", "recalibrate", "E-60"),
        ("misalignment", "spindle", "Holes out of position, parts fail CMM check",
         "Axis backlash or fixture moved", "Measure backlash, compensate in control; re-indicate fixture", "adjust", ""),
        ("overheating", "motor", "Spindle drive overtemperature alarm",
         "Cabinet cooler filter clogged", "Clean the cabinet cooler filter; check cooler fan", "clean", "E-66"),
        ("blockage", "filter", "Coolant flow weak at the nozzle",
         "Coolant filter or nozzle clogged with chips", "Clean coolant filter and nozzles; skim tramp oil", "clean", ""),
    ],
    "IM-301": [
        ("overheating", "heater", "Barrel zone 3 over temperature, material degraded (brown streaks)",
         "Thermocouple loose or heater controller fault", "Re-seat thermocouple TC-3; check controller output", "repair", "E-72"),
        ("hydraulic_leak", "hose", "Oil on the floor under the clamp unit, clamp pressure low",
         "Hydraulic hose or fitting leaking", "Replace the leaking hose (HH-12); tighten fittings to torque", "replace", "E-75"),
        ("tool_wear", "tool", "Flash on parts along the parting line",
         "Mould parting surfaces worn or clamp force too low", "Check clamp tonnage; send mould for repair if worn", "repair", ""),
        ("sensor_fault", "sensor", "Screw position reading jumps, short shots",
         "Linear transducer dirty or faulty", "Clean and recalibrate the screw position transducer LT-1", "recalibrate", "E-80"),
        ("blockage", "valve", "Nozzle freeze-off, no injection",
         "Nozzle tip blocked by contaminated or cold material", "Heat and clear the nozzle; check nozzle heater band", "clean", ""),
        ("electrical_fault", "heater", "Zone 2 does not heat, heater current 0 A",
         "Heater band burnt out or fuse blown", "Replace heater band HB-2 and fuse F4", "replace", "E-71"),
        ("seal_leak", "seal", "Material leaking at the nozzle/barrel joint",
         "Nozzle not seated or seal face damaged", "Re-seat nozzle at temperature; lap the seal face", "repair", ""),
    ],
    "CV-401": [
        ("belt_slip", "belt", "Belt slipping under load, drive pulley squeals",
         "Belt tension low or lagging worn", "Re-tension belt to spec; replace pulley lagging if worn", "adjust", "E-90"),
        ("misalignment", "belt", "Belt tracking off to one side, edge fraying",
         "Idler rollers out of square or material loaded off-centre", "Square the idlers; adjust tail pulley; centre the load", "adjust", ""),
        ("bearing_wear", "bearing", "Roller squeaking, roller seized",
         "Idler roller bearing failed", "Replace the idler roller (R-89)", "replace", ""),
        ("electrical_fault", "motor", "Conveyor stops, drive fault on VFD",
         "Motor overload or VFD fault", "Read VFD fault code; check motor current; reset", "repair", "E-93"),
        ("sensor_fault", "sensor", "Photo-eye does not detect parts, jam at transfer",
         "Photo-eye dirty or misaligned", "Clean and re-align photo-eye PE-4", "clean", "E-95"),
        ("lubrication_failure", "bearing", "Gearbox noisy and hot",
         "Gearbox oil low or old", "Change gearbox oil (ISO VG 220); check breather", "lubricate", ""),
    ],
    "AC-501": [
        ("overheating", "motor", "Discharge temperature high alarm, compressor trips at 110 C",
         "Oil cooler fins blocked or oil level low", "Blow out the oil cooler; top up compressor oil", "clean", "E-101"),
        ("blockage", "filter", "Pressure drop across the air filter high, capacity low",
         "Intake filter clogged", "Replace intake filter AF-50", "replace", "E-104"),
        ("lubrication_failure", "filter", "Oil carry-over into the air lines",
         "Separator element saturated", "Replace oil separator element OS-50", "replace", ""),
        ("seal_leak", "seal", "Air leak audible at the intake valve, unit does not load",
         "Intake valve seal worn", "Replace intake valve seal kit IV-3", "replace", ""),
        ("sensor_fault", "sensor", "Pressure reading stuck, compressor short-cycles",
         "Pressure transducer failed", "Replace pressure transducer PT-1 and recalibrate", "replace", "E-110"),
        ("electrical_fault", "motor", "Motor does not start, star-delta fault",
         "Star-delta timer or contactor fault", "Check star-delta timer and contactors K2/K3", "repair", "E-112"),
    ],
    "HP-601": [
        ("hydraulic_leak", "cylinder", "Ram drifts down under load, oil on cylinder rod",
         "Main cylinder rod seal worn", "Replace rod seal kit RS-160; inspect rod for scoring", "replace", "E-120"),
        ("overheating", "motor", "Hydraulic oil temperature above 60 C",
         "Oil cooler fouled or relief valve set too low (oil circulating)", "Clean the oil cooler; check relief setting", "clean", "E-123"),
        ("blockage", "filter", "Filter clogged indicator red, slow ram speed",
         "Return filter element blocked", "Replace return filter RF-25; take an oil sample", "replace", "E-125"),
        ("sensor_fault", "sensor", "Tonnage reading zero while pressing",
         "Pressure transducer cable damaged", "Replace cable; recalibrate tonnage monitor", "recalibrate", "E-130"),
        ("misalignment", "cylinder", "Parts formed off-centre, die wear uneven",
         "Slide gibs worn or loose", "Adjust slide gibs to 0.05 mm clearance", "adjust", ""),
        ("tool_wear", "tool", "Burrs on pressed parts, cracks at bends",
         "Die edges worn or chipped", "Regrind or replace die inserts", "replace", ""),
        ("electrical_fault", "motor", "Light curtain fault, press will not cycle",
         "Light curtain misaligned or muting fault", "Realign light curtain; test before restarting", "repair", "E-135"),
    ],
}


def trouble_rows(machine_id: str) -> list[tuple[str, str, str, str, str, str, str]]:
    """The machine's troubleshooting rows: (failure_mode, component, symptom, cause, remedy, action, code)."""
    return TROUBLE[machine_id]
