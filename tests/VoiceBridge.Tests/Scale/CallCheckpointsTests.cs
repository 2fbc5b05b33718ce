using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using VoiceBridge.Call;
using VoiceBridge.Call.Tools;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Scale;
using VoiceBridge.Tests.Call;
using VoiceBridge.Tests.Engines.Health;
using VoiceBridge.Tests.Support;

namespace VoiceBridge.Tests.Scale;

/// <summary><see cref="CallCheckpoints"/> on the in-memory state and a fake clock: what a resumed stream restores, what it audits, and what /twilio/resume decides.</summary>
public sealed class CallCheckpointsTests : IAsyncDisposable
{
    private const string CallSid = "CA0e6b1c5ad9f2d4e8b7a1c3d5e7f9a1b3";
    private static readonly byte[] Key = Enumerable.Range(7, CheckpointCipher.KeyBytes).Select(i => (byte)i).ToArray();
    private static readonly Dictionary<string, string> ResumeParameters = new() { [TwilioEndpoints.ResumeParameter] = "1", ["CallSid"] = CallSid };
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly InMemoryScaleOutState _state;
    private readonly RecordingAudit _audit = new();
    private readonly CallCheckpoints _checkpoints;

    public CallCheckpointsTests()
    {
        _state = new InMemoryScaleOutState(_time);
        _checkpoints = new CallCheckpoints(_state, CheckpointCipher.WithKey(Key), new CheckpointOptions(), "node-b", _audit, _time, NullLogger<CallCheckpoints>.Instance);
    }

    [Fact]
    public async Task A_resumed_stream_restores_the_conversation_before_its_stream_began_and_audits_the_gap_at_its_first_frame()
    {
        await StoreAsync(Checkpoint(ended: false), lastFrame: _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMilliseconds(1234));
        var session = NewSession();

        await _checkpoints.OnStreamStartAsync(session, ResumeParameters, CancellationToken.None);
        _checkpoints.OnFirstFrame(session);
        _checkpoints.OnFirstFrame(session);

        Assert.Equal(["i would like to book an appointment", "Which day would that be?", "tomorrow afternoon"], session.Conversation.Turns.Select(t => t.Text));
        Assert.All(session.Conversation.Turns, t => Assert.True(t.EndMs < 0, $"turn ending at {t.EndMs} ms is before the new stream"));
        Assert.Single(session.Conversation.ToolCalls);
        Assert.Equal(1, session.Resumes);
        var resume = Assert.Single(_audit.Events, e => e.Kind == "resume");
        Assert.Equal((CallSid, "node-a", "node-b", "stream-lost"), (resume.CallId, resume.From, resume.To, resume.Reason));
        Assert.Contains("\"gapMs\":1234", resume.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"replyOwed\":true", resume.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"turnsRestored\":3", resume.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_without_the_resume_parameter_starts_a_fresh_conversation_and_audits_nothing()
    {
        await StoreAsync(Checkpoint(ended: false), lastFrame: _time.GetUtcNow());
        var session = NewSession();

        await _checkpoints.OnStreamStartAsync(session, new Dictionary<string, string> { ["CallSid"] = CallSid }, CancellationToken.None);
        _checkpoints.OnFirstFrame(session);

        Assert.Empty(session.Conversation.Turns);
        Assert.DoesNotContain(_audit.Events, e => e.Kind == "resume");
    }

    [Fact]
    public async Task A_resume_without_a_readable_checkpoint_goes_on_fresh_and_says_why()
    {
        await _state.SaveCheckpointAsync(CallSid, CheckpointCipher.WithKey(new byte[CheckpointCipher.KeyBytes]).Seal(CallSid, Checkpoint(false).ToUtf8Json()), TimeSpan.FromHours(1), CancellationToken.None);
        var session = NewSession();

        Assert.True(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));
        await _checkpoints.OnStreamStartAsync(session, ResumeParameters, CancellationToken.None);
        _checkpoints.OnFirstFrame(session);

        Assert.Empty(session.Conversation.Turns);
        var resume = Assert.Single(_audit.Events, e => e.Kind == "resume");
        Assert.Contains("\"restored\":false", resume.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("does not authenticate", resume.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"gapMs\":null", resume.DetailsJson, StringComparison.Ordinal);
        Assert.Contains("\"resumes\":1", resume.DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_resume_event_counts_the_resumes_the_stream_says_not_the_checkpoint()
    {
        // The node the call last ran on died before its first turn boundary: the checkpoint is the
        // first stream's (no resume in it), while this is the third resume.
        await StoreAsync(Checkpoint(ended: false), lastFrame: _time.GetUtcNow());
        var session = NewSession();

        await _checkpoints.OnStreamStartAsync(session, new Dictionary<string, string>(ResumeParameters) { [TwilioEndpoints.ResumeParameter] = "3" }, CancellationToken.None);
        _checkpoints.OnFirstFrame(session);

        Assert.Contains("\"resumes\":3", Assert.Single(_audit.Events, e => e.Kind == "resume").DetailsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_resume_url_hangs_up_only_on_a_call_that_ended()
    {
        Assert.True(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));

        await StoreAsync(Checkpoint(ended: false), lastFrame: null);
        Assert.True(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));

        await _checkpoints.OnCallEndingAsync(Checkpoint(ended: false));
        Assert.False(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));
    }

    [Fact]
    public async Task A_call_this_node_hung_up_while_the_store_was_down_is_hung_up_when_its_resume_comes_back_here()
    {
        var down = new DownState();
        await using var checkpoints = new CallCheckpoints(down, CheckpointCipher.WithKey(Key), new CheckpointOptions(), "node-b", _audit, _time, NullLogger<CallCheckpoints>.Instance);

        Assert.True(await checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None)); // a lost stream, store down: resume fresh
        await checkpoints.OnCallEndingAsync(Checkpoint(ended: false));
        Assert.Equal(1L, checkpoints.Failed);
        Assert.False(await checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));

        _time.Advance(new CheckpointOptions().EndedTtl + TimeSpan.FromSeconds(1));
        await checkpoints.OnCallEndingAsync(Checkpoint(ended: false) with { CallSid = "CA-other" });
        Assert.True(await checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None)); // forgotten after EndedTtl, as the store would
    }

    [Fact]
    public async Task A_stream_that_ends_writes_the_final_checkpoint_ended_or_resumable()
    {
        var first = NewSession();
        await _checkpoints.OnStreamStartAsync(first, new Dictionary<string, string>(), CancellationToken.None);
        await _checkpoints.OnStreamEndAsync(first, callEnded: false);
        Assert.True(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));

        var second = NewSession();
        await _checkpoints.OnStreamStartAsync(second, ResumeParameters, CancellationToken.None);
        await _checkpoints.OnStreamEndAsync(second, callEnded: true);
        Assert.False(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));
        Assert.Equal((2L, 0L), (_checkpoints.Written, _checkpoints.Failed));
    }

    [Fact]
    public async Task A_stream_whose_end_is_noticed_after_the_call_came_back_writes_nothing()
    {
        var old = NewSession();
        var current = NewSession();
        await _checkpoints.OnStreamStartAsync(old, new Dictionary<string, string>(), CancellationToken.None);
        await _checkpoints.OnStreamStartAsync(current, ResumeParameters, CancellationToken.None);

        await _checkpoints.OnStreamEndAsync(old, callEnded: false);
        Assert.Equal(0, _checkpoints.Written);

        await _checkpoints.OnStreamEndAsync(current, callEnded: true);
        Assert.False(await _checkpoints.ShouldResumeAsync(CallSid, CancellationToken.None));
        Assert.Equal(1, _checkpoints.Written);
    }

    public async ValueTask DisposeAsync()
    {
        await _checkpoints.DisposeAsync();
        await _state.DisposeAsync();
    }

    private CallSession NewSession() =>
        new(CallSid, "twilio", new RecordingLegOutput(), () => new ScriptedEngine(), new ToolRegistry([new CheckAvailabilityTool()]), new CallSessionOptions(), _time, NullLogger.Instance);

    private ConversationCheckpoint Checkpoint(bool ended) => new()
    {
        CallSid = CallSid,
        Node = "node-a",
        Ended = ended,
        StreamStartedAt = _time.GetUtcNow() - TimeSpan.FromSeconds(20),
        Turns =
        [
            new CheckpointTurn("User", "local", "i would like to book an appointment", null, 500, 2700, null, false),
            new CheckpointTurn("Assistant", "local", "Which day would that be?", "Which day would that be?", 3000, 4200, null, false),
            new CheckpointTurn("User", "local", "tomorrow afternoon", null, 5000, 6500, null, false),
        ],
        ToolCalls = [new ToolCallRecord("call_1", "check_availability", """{"day":"Tomorrow"}""", "{}", "local", 3500)],
    };

    private async Task StoreAsync(ConversationCheckpoint checkpoint, DateTimeOffset? lastFrame)
    {
        await _state.SaveCheckpointAsync(CallSid, CheckpointCipher.WithKey(Key).Seal(CallSid, checkpoint.ToUtf8Json()), TimeSpan.FromHours(1), CancellationToken.None);
        if (lastFrame is { } at)
        {
            await _state.SaveLastFrameAsync(CallSid, at, TimeSpan.FromHours(1), CancellationToken.None);
        }
    }

    /// <summary>A store that is down: every checkpoint read and write fails.</summary>
    private sealed class DownState : IScaleOutState
    {
        public event Action<SharedBreaker>? BreakerPublished
        {
            add { }
            remove { }
        }

        public string Location => "down";

        public Task PublishBreakerAsync(SharedBreaker breaker, CancellationToken cancellationToken) => Down();

        public Task<IReadOnlyList<SharedBreaker>> OpenBreakersAsync(IEnumerable<string> engines, CancellationToken cancellationToken) => Down<IReadOnlyList<SharedBreaker>>();

        public Task SaveCheckpointAsync(string callSid, byte[] sealedCheckpoint, TimeSpan ttl, CancellationToken cancellationToken) => Down();

        public Task<byte[]?> LoadCheckpointAsync(string callSid, CancellationToken cancellationToken) => Down<byte[]?>();

        public Task SaveLastFrameAsync(string callSid, DateTimeOffset at, TimeSpan ttl, CancellationToken cancellationToken) => Down();

        public Task<DateTimeOffset?> LoadLastFrameAsync(string callSid, CancellationToken cancellationToken) => Down<DateTimeOffset?>();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private static Task Down() => Task.FromException(new InvalidOperationException("store down"));

        private static Task<T> Down<T>() => Task.FromException<T>(new InvalidOperationException("store down"));
    }
}
