print("vit-serve")
