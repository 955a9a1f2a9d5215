import Foundation
import TerminalUI
import TraceMindModel
import TraceMindReport

enum CompareScreen {
    static func open(_ s: inout AppState, _ keys: [String]) -> [Effect] { [] }
    static func loadedRun(_ s: inout AppState, _ key: String) -> [Effect] { [] }
    static func clamp(_ s: inout AppState) {}
    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] { [] }
    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] { [] }
    static func status(_ s: AppState, _ v: CompareView) -> String { "" }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: CompareView, _ r: Renderer) {}
}

enum TrajectoryScreen {
    static func clamp(_ s: inout AppState) {}
    static func perform(_ s: inout AppState, _ a: Action) -> [Effect] { [] }
    static func click(_ s: inout AppState, _ x: Int, _ y: Int) -> [Effect] { [] }
    static func status(_ s: AppState, _ v: TrajectoryView) -> String { "" }
    static func render(_ b: inout Buffer, _ body: Rect, _ s: AppState, _ v: TrajectoryView, _ r: Renderer) {}
}
