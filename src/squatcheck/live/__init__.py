"""Live webcam mode: pose per frame, cues while you squat, a report when you stop.

A thin edge over the core: frames come from :mod:`squatcheck.video`, poses from
:class:`squatcheck.pose.estimator.PoseEstimator`, reps and findings from the
engine's incremental analysis, and the closing report from
``analyze_track`` + ``report.write_outputs``. This package only schedules,
draws and records; it measures nothing itself.
"""
