// The VisionTransformer module. See ../../Documentation/Architecture.md.
