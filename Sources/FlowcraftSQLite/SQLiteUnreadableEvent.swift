/// An event of an `event_chunks` row that cannot be read (a damaged or foreign file): the event's
/// sequence when it got that far, and what is wrong.
struct SQLiteUnreadableEvent: Error, CustomStringConvertible {
    var sequence: Int?
    var description: String
}
