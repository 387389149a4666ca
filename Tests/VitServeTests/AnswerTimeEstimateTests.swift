import Testing
@testable import vit_serve

/// The admission estimate: the work ahead of a request, then its own image, against the timeout.
@Suite struct AnswerTimeEstimateTests {
    @Test func countsTheImagesWaitingAndRunningThenItsOwn() {
        let estimate = AnswerTimeEstimate(waiting: 8, running: 8, secondsPerImage: 0.25)
        #expect(estimate.seconds == 4.25)
        #expect(estimate.exceeds(timeout: 4))
        #expect(!estimate.exceeds(timeout: 4.25))
    }

    @Test func anIdleServerAdmitsWhatItsOwnImageAllows() {
        #expect(!AnswerTimeEstimate(waiting: 0, running: 0, secondsPerImage: 0.2).exceeds(timeout: 30))
        #expect(AnswerTimeEstimate(waiting: 0, running: 0, secondsPerImage: 31).exceeds(timeout: 30))
    }

    @Test func theOverloadMeasuredOnZen4IsRefusedPastAboutThirtySecondsOfWork() {
        // 1.6 img/s under 256 clients: 64 held requests are 40 s of work against a 30 s timeout.
        let perImage = 1 / 1.6
        #expect(AnswerTimeEstimate(waiting: 56, running: 8, secondsPerImage: perImage).exceeds(timeout: 30))
        #expect(!AnswerTimeEstimate(waiting: 30, running: 8, secondsPerImage: perImage).exceeds(timeout: 30))
    }
}
