// Package nn builds models out of autodiff operations: layers (Linear,
// BatchNorm1d, Dropout, activations) composed with Sequential, initialisers,
// losses and penalties, and thin constructors for the classic models (linear,
// logistic and softmax regression, MLPs, the linear SVM).
//
// Everything is generic over the element type T (float32 or float64), like
// autodiff. A layer is a Module: Forward maps an input Var to an output Var by
// recording autodiff operations, and Params lists the trainable leaves, each
// named as PyTorch's state_dict names it ("weight", "bias"; inside a
// Sequential "0.weight", "1.bias" …), so parameters can be matched with a
// PyTorch model by name.
//
// Modules whose forward pass differs between training and evaluation
// (Dropout, BatchNorm1d, and a Sequential holding them) implement Moded;
// like PyTorch modules they start in training mode. Switch with Train and
// Eval.
//
// Initialisers are values (XavierUniform, KaimingNormal{A: …}, …) that draw
// from an explicit *rand.Rand, so every model is reproducible from its seed.
// Losses are plain functions returning a scalar Var, averaged over the batch.
package nn
