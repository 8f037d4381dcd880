"""Text classifier: LoRA fine-tuning, calibrated predictions with review flags, batch runs, the review loop."""

from finetune.batch import classify_file
from finetune.coldstart import ColdStartClassifier
from finetune.config import TrainConfig
from finetune.evaluate import evaluate
from finetune.predict import Classifier, MultiTaskClassifier, Prediction, load_tasks
from finetune.reviews import add_review, reviewed_rows
from finetune.trainer import train

__all__ = ["Classifier", "ColdStartClassifier", "MultiTaskClassifier", "Prediction", "TrainConfig", "add_review",
           "classify_file", "evaluate", "load_tasks", "reviewed_rows", "train"]
