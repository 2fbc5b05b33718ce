using VoiceBridge.Engines;

namespace VoiceBridge.Tests.Call;

/// <summary>
/// An <see cref="IAgentEngine"/> the test drives: it records what the call session gives it (caller
/// audio with positions, truncations, tool results) and posts the events the test chooses through the
/// <see cref="IEngineEvents"/> it was started with, stamped with its generation unless told otherwise.
/// </summary>
internal sealed class ScriptedEngine(string name = "scripted") : IAgentEngine
{
    private readonly TaskCompletionSource<EngineStart> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What <see cref="StartAsync"/> does after recording the start; may throw or return a faulted task.</summary>
    public Func<EngineStart, CancellationToken, Task>? StartBehavior { get; init; }

    public string Name => name;

    public EngineStart? Start { get; private set; }

    public Task<EngineStart> Started => _started.Task;

    public int Generation => Start?.Generation ?? throw new InvalidOperationException("the engine was not started");

    public List<(long Position, byte[] Bytes)> CallerAudio { get; } = [];

    public List<(string ItemId, long HeardMs)> Truncations { get; } = [];

    public List<(string CallId, string Output)> ToolResults { get; } = [];

    public bool Disposed { get; private set; }

    /// <summary>Each response <see cref="EndSeeding"/> asked for: null to answer, else the heard words of a reply to continue.</summary>
    public List<string?> ResponseRequests { get; } = [];

    /// <summary>Each <see cref="SendCallerText"/>: the turn (keys pressed) and whether a response was asked for.</summary>
    public List<(VoiceBridge.Call.ConversationTurn Turn, bool Respond)> CallerTexts { get; } = [];

    /// <summary>Each <see cref="CommitCallerTurn"/>: how much caller audio had arrived (bytes).</summary>
    public List<long> Commits { get; } = [];

    /// <summary>Whether <see cref="EndSeeding"/> was called.</summary>
    public bool SeedingEnded { get; private set; }

    public Task StartAsync(EngineStart start, CancellationToken cancellationToken)
    {
        Start = start;
        _started.TrySetResult(start);
        return StartBehavior?.Invoke(start, cancellationToken) ?? Task.CompletedTask;
    }

    public void SendCallerAudio(long position, ReadOnlySpan<byte> mulaw) => CallerAudio.Add((position, mulaw.ToArray()));

    public void SubmitToolResult(string callId, string output) => ToolResults.Add((callId, output));

    public void TruncateAssistant(string itemId, long heardMs) => Truncations.Add((itemId, heardMs));

    public void SendCallerText(VoiceBridge.Call.ConversationTurn turn, bool respond) => CallerTexts.Add((turn, respond));

    public void CommitCallerTurn() => Commits.Add(CallerAudio.Sum(c => (long)c.Bytes.Length));

    public void EndSeeding(bool respond, string? continueAfter = null)
    {
        SeedingEnded = true;
        if (respond)
        {
            ResponseRequests.Add(continueAfter);
        }
    }

    /// <summary>Times the session warmed this engine up as its standby.</summary>
    public int WarmUps { get; private set; }

    public Task WarmUpAsync(CancellationToken cancellationToken)
    {
        WarmUps++;
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>All caller audio received, concatenated in arrival order.</summary>
    public byte[] CallerBytes() => [.. CallerAudio.SelectMany(c => c.Bytes)];

    /// <summary>Asserts the caller audio arrived contiguously from <paramref name="from"/>; returns where it ends.</summary>
    public long AssertContiguousFrom(long from)
    {
        var expected = from;
        foreach (var (position, bytes) in CallerAudio)
        {
            Assert.Equal(expected, position);
            expected += bytes.Length;
        }

        return expected;
    }

    public ValueTask Post(EngineEvent engineEvent) => (Start ?? throw new InvalidOperationException("the engine was not started")).Events.PostAsync(engineEvent);

    public ValueTask Ready() => Post(new EngineEvent { Kind = EngineEventKind.Ready, Generation = Generation });

    public ValueTask SpeechStarted(string itemId, long position) =>
        Post(new EngineEvent { Kind = EngineEventKind.SpeechStarted, Generation = Generation, ItemId = itemId, Position = position });

    public ValueTask SpeechStopped(string itemId, long position) =>
        Post(new EngineEvent { Kind = EngineEventKind.SpeechStopped, Generation = Generation, ItemId = itemId, Position = position });

    public ValueTask UserTranscript(string itemId, string text) =>
        Post(new EngineEvent { Kind = EngineEventKind.UserTranscript, Generation = Generation, ItemId = itemId, Text = text });

    public ValueTask AgentTranscript(string itemId, string text) =>
        Post(new EngineEvent { Kind = EngineEventKind.AgentTranscript, Generation = Generation, ItemId = itemId, Text = text });

    public ValueTask AgentAudioDone(string itemId) =>
        Post(new EngineEvent { Kind = EngineEventKind.AgentAudioDone, Generation = Generation, ItemId = itemId });

    public ValueTask ResponseDone(string responseId, string status = "completed") =>
        Post(new EngineEvent { Kind = EngineEventKind.ResponseDone, Generation = Generation, ResponseId = responseId, Status = status });

    public ValueTask ToolCall(string callId, string toolName, string arguments) =>
        Post(new EngineEvent { Kind = EngineEventKind.ToolCall, Generation = Generation, CallId = callId, Name = toolName, Arguments = arguments });

    /// <summary>Posts agent audio in deltas of <paramref name="chunk"/> bytes, as a provider streams it.</summary>
    public async ValueTask AgentAudio(string itemId, byte[] mulaw, int chunk = 800, int? generation = null)
    {
        for (var offset = 0; offset < mulaw.Length; offset += chunk)
        {
            await Post(new EngineEvent
            {
                Kind = EngineEventKind.AgentAudio,
                Generation = generation ?? Generation,
                ItemId = itemId,
                Audio = mulaw[offset..Math.Min(mulaw.Length, offset + chunk)],
            });
        }
    }
}
