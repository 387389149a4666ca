// The SwiftViT module. See ../../Documentation/Architecture.md.
