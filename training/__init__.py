"""Training tools for FaceGate's student embedder (PyTorch; never imported by the app).

Pipeline: `prepare` (detect + align a photo folder into a crop cache), `teacher-embed` (cache the
teacher ensemble's embeddings of every crop and its mirror), `distill` (train the student).
"""
