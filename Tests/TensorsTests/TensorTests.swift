import Testing
import Tensors

@Suite struct TensorTests {
    @Test func reshapeAndRowsShareStorage() {
        let t = Tensor(shape: [3, 4], values: (0..<12).map(Float.init))
        let row = t.rows(1..<2)
        #expect(row.shape == [1, 4])
        #expect(row.scalars == [4, 5, 6, 7])
        row.mutablePointer[0] = 42
        #expect(t.scalars[4] == 42)
        let copy = t.copy()
        copy.mutablePointer[0] = -1
        #expect(t.scalars[0] == 0)
        #expect(t.reshaped([2, 6]).shape == [2, 6])
        #expect(t[2].scalars == [8, 9, 10, 11])
    }
}
