/// Any key of an object member or index of an array element: for decoding objects whose keys are
/// data (`id2label`, `size`), and for the coding paths of array elements.
package struct JSONCodingKey: CodingKey, Sendable {
    /// The member's key, or the element's index in decimal.
    package let stringValue: String
    /// The element's index; `nil` for an object member.
    package let intValue: Int?

    /// The key of the object member `stringValue`.
    package init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    /// The key of the array element at `intValue`.
    package init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
