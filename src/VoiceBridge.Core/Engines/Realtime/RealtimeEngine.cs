using System.Buffers;
using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using VoiceBridge.Call;
using VoiceBridge.Engines.Realtime.Protocol;
using VoiceBridge.Media;
using VoiceBridge.Transport;

namespace VoiceBridge.Engines.Realtime;

/// <summary>
/// An OpenAI Realtime (GA protocol) session as an agent engine: G.711 mu-law in and out so
/// telephone audio passes through untranscoded, server VAD, input transcription always on,
/// function calls handed to the call session. Provider audio offsets are mapped to call positions
/// through the position of the first frame appended to this session.
/// </summary>
public sealed partial class RealtimeEngine(
    RealtimeEngineOptions options,
    IWebSocketConnector connector,
    TimeProvider time,
    ILogger<RealtimeEngine> logger) : IAgentEngine
{
    private const int SendQueueCapacity = 1024;
    private const int MaxMessageBytes = 4 * 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly object _sendGate = new();
    private readonly CancellationTokenSource _lifetime = new();
    private readonly HashSet<ConversationTurn> _callerTextSent = [];
    private MessageSocket? _socket;
    private Task? _receiveLoop;
    private EngineStart? _start;
    private long _sessionBase = -1;
    private string _instructions = "";
    private Task<WebSocket>? _warm;

    public string Name => options.Name;

    /// <summary>Caller audio appended to this provider session, in samples.</summary>
    public long AppendedSamples { get; private set; }

    /// <summary>Opens the provider's socket ahead of the start (warm standby).</summary>
    public Task WarmUpAsync(CancellationToken cancellationToken)
    {
        _warm ??= ConnectAsync(cancellationToken);
        return _warm;
    }

    /// <summary>
    /// Connects, then configures and seeds the session in the order FAILOVER.md step 4 gives, each
    /// step confirmed before the next (see <see cref="ConfigureAndSeedAsync"/>); posts Ready when done.
    /// A provider that does not confirm within <see cref="RealtimeEngineOptions.ConfirmTimeout"/>
    /// fails the start, as a connection failure does.
    /// </summary>
    public async Task StartAsync(EngineStart start, CancellationToken cancellationToken)
    {
        _start = start;
        var socket = _warm is { } warm ? await WarmSocketOrNull(warm) : null;
        socket ??= await ConnectAsync(cancellationToken);
        _socket = new MessageSocket(socket, SendQueueCapacity, MaxMessageBytes);
        _socket.StartSending();
        Log.Connected(logger, options.Name, options.ConnectUri, options.Simulated);
        _receiveLoop = ReceiveLoopAsync(_socket, start);
        await ConfigureAndSeedAsync(start, cancellationToken);
    }

    /// <summary>The warmed socket if it connected and is still open (a provider may drop an idle one); else null, to connect afresh.</summary>
    private static async Task<WebSocket?> WarmSocketOrNull(Task<WebSocket> warm)
    {
        try
        {
            var socket = await warm;
            return socket.State == WebSocketState.Open ? socket : null;
        }
        catch (Exception e) when (e is ConnectFailedException or OperationCanceledException or WebSocketException)
        {
            return null;
        }
    }

    private async Task<WebSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            headers[options.ApiKeyHeader] = options.ApiKeyHeader == "Authorization" ? "Bearer " + options.ApiKey : options.ApiKey;
        }

        using var span = Operations.ProviderSpans.Start(Operations.ProviderSpans.RealtimeConnect, options.Name, options.ConnectUri.Host);
        try
        {
            return await connector.ConnectWithinAsync(options.ConnectUri, headers, options.ConnectTimeout, time, cancellationToken, _lifetime.Token);
        }
        catch (Exception e) when (Operations.ProviderSpans.Failed(span, e))
        {
            throw;
        }
    }

    public void SendCallerAudio(long position, ReadOnlySpan<byte> mulaw)
    {
        if (_socket is null)
        {
            return;
        }

        if (_sessionBase < 0)
        {
            _sessionBase = position;
        }

        lock (_sendGate)
        {
            _scratch.ResetWrittenCount();
            RealtimeClientWriter.WriteInputAudioAppend(_scratch, mulaw);
            _socket.TrySend(_scratch.WrittenSpan);
        }

        AppendedSamples += mulaw.Length;
    }

    public void SubmitToolResult(string callId, string output)
    {
        Send(w => RealtimeClientWriter.WriteConversationItemCreate(w, RealtimeItem.FunctionCallOutput(callId, output)));
        Send(w => RealtimeClientWriter.WriteResponseCreate(w));
    }

    /// <summary>
    /// Keys pressed: a user <c>input_text</c> message (once per turn, whether seeded or sent),
    /// then <c>response.create</c> when asked; the provider answers the conversation as it stands.
    /// </summary>
    public void SendCallerText(ConversationTurn turn, bool respond)
    {
        if (FirstTimeSent(turn))
        {
            Send(w => RealtimeClientWriter.WriteConversationItemCreate(w, RealtimeItem.Message(RealtimeRole.User, turn.Text)));
        }

        if (respond)
        {
            Send(w => RealtimeClientWriter.WriteResponseCreate(w));
        }
    }

    /// <summary>Whether this session has not had <paramref name="turn"/> as caller text yet (seeding runs beside the call loop).</summary>
    private bool FirstTimeSent(ConversationTurn turn)
    {
        lock (_callerTextSent)
        {
            return _callerTextSent.Add(turn);
        }
    }

    /// <summary>Replayed audio cut at a turn's end: the server VAD has not seen its trailing silence, so commit it ourselves.</summary>
    public void CommitCallerTurn() => Send(w => RealtimeClientWriter.WriteInputAudioCommit(w));

    /// <summary>
    /// One <c>response.create</c> when asked (the provider runs client events in order, so it answers
    /// everything appended and committed before it), then <c>session.update</c> with
    /// <c>create_response</c> back on.
    /// </summary>
    public void EndSeeding(bool respond, string? continueAfter = null)
    {
        if (respond)
        {
            Send(w => RealtimeClientWriter.WriteResponseCreate(
                w, continueAfter is null ? null : $"{_instructions}\n\n{Continuation.Instruction(continueAfter)}"));
        }

        if (_start is { Seeding: true } start)
        {
            var seeded = start with { Seeding = false };
            _start = seeded;
            Send(w => RealtimeClientWriter.WriteSessionUpdate(w, SessionConfig(seeded)));
        }
    }

    public void TruncateAssistant(string itemId, long heardMs) =>
        Send(w => RealtimeClientWriter.WriteConversationItemTruncate(w, itemId, 0, (int)Math.Min(int.MaxValue, heardMs)));

    public async ValueTask DisposeAsync()
    {
        _lifetime.Cancel();
        if (_socket is { } socket)
        {
            using var closeTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
            await socket.CloseAsync("call ended", closeTimeout.Token);
            await socket.DisposeAsync();
        }
        else if (_warm is { IsCompletedSuccessfully: true } warm)
        {
            // A standby that was never used: its idle socket goes.
            warm.Result.Abort();
            warm.Result.Dispose();
        }

        if (_receiveLoop is not null)
        {
            await _receiveLoop;
        }

        _lifetime.Dispose();
    }

    /// <summary>Maps a provider audio offset (ms of audio appended to this session) to a call position.</summary>
    private long ToCallPosition(long audioMs) => Math.Max(0, _sessionBase) + CallClock.MsToSamples(audioMs);

    private RealtimeSessionConfig SessionConfig(EngineStart start) => new()
    {
        Instructions = _instructions,
        InputFormat = RealtimeAudioFormat.Pcmu,
        OutputFormat = RealtimeAudioFormat.Pcmu,
        Voice = options.Voice,
        TranscriptionModel = options.TranscriptionModel,
        // While seeding after a handoff the server VAD still commits and transcribes turns but
        // answers none: the call session asks for the one response.
        TurnDetection = new RealtimeTurnDetection { SilenceDurationMs = options.SilenceDurationMs, CreateResponse = !start.Seeding },
        Tools = [.. start.Tools.Select(t => new RealtimeToolDefinition(t.Name, t.Description, t.ParametersJsonSchema))],
    };

    private void Send(Action<IBufferWriter<byte>> write)
    {
        if (_socket is null)
        {
            return;
        }

        lock (_sendGate)
        {
            _scratch.ResetWrittenCount();
            write(_scratch);
            _socket.TrySend(_scratch.WrittenSpan);
        }
    }
}
