// The ImagePreprocessing module. See ../../Documentation/Architecture.md.
