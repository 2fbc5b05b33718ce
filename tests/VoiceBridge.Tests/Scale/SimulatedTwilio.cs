using System.Buffers;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using VoiceBridge.Legs.Twilio;
using VoiceBridge.Transport;

namespace VoiceBridge.Tests.Scale;

/// <summary>
/// Twilio as a bridge meets it across a node crash, over loopback. Requests to the public base URL (any host)
/// go through a failover load balancer (the first node that accepts the connection, in order). It
/// fetches the call's TwiML, connects <c>&lt;Connect&gt;&lt;Stream&gt;</c> with its parameters, and
/// when the stream's WebSocket dies it follows Twilio's rule: POST the <c>&lt;Connect action&gt;</c>
/// URL and do what the returned TwiML says; no further verb (or <c>&lt;Hangup/&gt;</c>) is the end
/// of the call. The caller itself (<see cref="Replay.FakeTwilioCaller"/>) sees one socket: this
/// connector hands it a <see cref="ResumingSocket"/> that moves to each new stream, dropping what the
/// caller says while no stream is up, as the real carrier does.
/// </summary>
internal sealed class SimulatedTwilio(IReadOnlyList<Uri> nodes, string callSid) : IWebSocketConnector, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Every stream the call had, in order: the node that took it and its parameters.</summary>
    public List<(Uri Node, IReadOnlyDictionary<string, string> Parameters)> Streams { get; } = [];

    /// <summary>TwiML documents the call was given (the voice webhook's, then each action's).</summary>
    public List<string> Twiml { get; } = [];

    /// <summary>The call's first TwiML, from the voice webhook.</summary>
    public async Task<Twiml.Connect?> DialAsync() => await FetchAsync(TwilioEndpoints.VoicePath);

    /// <summary>POSTs a Twilio request (CallSid, From, To) to a public path through the load balancer; the TwiML's Connect, or null for any other verb or none.</summary>
    public async Task<Twiml.Connect?> FetchAsync(string publicPathOrUrl)
    {
        var path = Uri.TryCreate(publicPathOrUrl, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : publicPathOrUrl;
        var form = new Dictionary<string, string> { ["CallSid"] = callSid, ["From"] = "+15550001111", ["To"] = "+15550002222", ["CallStatus"] = "in-progress" };
        foreach (var node in nodes)
        {
            try
            {
                using var response = await _http.PostAsync(new Uri(node, path), new FormUrlEncodedContent(form));
                response.EnsureSuccessStatusCode();
                var xml = await response.Content.ReadAsStringAsync();
                lock (Twiml)
                {
                    Twiml.Add(xml);
                }

                return Scale.Twiml.Parse(xml);
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                // The load balancer's health check: a node that refuses connections, or resets the
                // kept-alive one it had (a killed node's sockets), is skipped. An HTTP error status is not.
            }
        }

        throw new InvalidOperationException($"no node accepted POST {path}");
    }

    /// <summary>The first stream: a socket that follows the call from stream to stream.</summary>
    public async Task<WebSocket> ConnectAsync(Uri uri, IReadOnlyDictionary<string, string> headers, CancellationToken cancellationToken)
    {
        var connect = await DialAsync() ?? throw new InvalidOperationException("the voice webhook's TwiML has no <Connect><Stream>");
        return new ResumingSocket(this, connect, await OpenStreamAsync(connect, cancellationToken));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A WebSocket to the Stream URL's path on the first node that accepts it.</summary>
    internal async Task<ClientWebSocket> OpenStreamAsync(Twiml.Connect connect, CancellationToken cancellationToken)
    {
        var path = new Uri(connect.StreamUrl).PathAndQuery;
        foreach (var node in nodes)
        {
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(new Uri($"ws://{node.Authority}{path}"), cancellationToken);
                lock (Streams)
                {
                    Streams.Add((node, connect.Parameters));
                }

                return socket;
            }
            catch (WebSocketException)
            {
                socket.Dispose();
            }
        }

        throw new InvalidOperationException($"no node accepted the stream {path}");
    }
}

/// <summary>The TwiML this test needs to read.</summary>
internal static class Twiml
{
    internal sealed record Connect(string StreamUrl, IReadOnlyDictionary<string, string> Parameters, string? Action);

    /// <summary>The document's <c>&lt;Connect&gt;&lt;Stream&gt;</c>, or null when it has another verb or none (the call ends).</summary>
    public static Connect? Parse(string xml)
    {
        var connect = XDocument.Parse(xml).Root?.Element("Connect");
        if (connect?.Element("Stream") is not { } stream)
        {
            return null;
        }

        var parameters = stream.Elements("Parameter").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        return new Connect((string)stream.Attribute("url")!, parameters, (string?)connect.Attribute("action"));
    }
}

/// <summary>
/// The caller's one socket across streams. It rewrites the caller's <c>start</c> to carry the
/// TwiML's parameters; when the stream dies without the caller having sent <c>stop</c>, it asks
/// the action URL and opens the next stream (its own <c>connected</c> and <c>start</c>), or ends
/// the caller's socket when the TwiML says no more. Messages sent while no stream is up are dropped.
/// </summary>
internal sealed class ResumingSocket(SimulatedTwilio twilio, Twiml.Connect connect, ClientWebSocket first) : WebSocket
{
    private readonly Lock _gate = new();
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private readonly List<byte> _partial = [];
    private ClientWebSocket? _current = first;
    private Twiml.Connect _connect = connect;
    private bool _stopSent;
    private bool _over;
    private int _streams = 1;
    private string? _streamSid;

    /// <summary>Caller messages dropped while no stream was up.</summary>
    public int Dropped { get; private set; }

    public override WebSocketCloseStatus? CloseStatus => _over ? WebSocketCloseStatus.NormalClosure : _current?.CloseStatus;

    public override string? CloseStatusDescription => _over ? "call over" : _current?.CloseStatusDescription;

    public override WebSocketState State => _over ? WebSocketState.Closed : WebSocketState.Open;

    public override string? SubProtocol => null;

    public override void Abort() => _current?.Abort();

    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        if (Take() is { State: WebSocketState.Open or WebSocketState.CloseReceived } socket)
        {
            try
            {
                await socket.CloseAsync(closeStatus, statusDescription, cancellationToken);
            }
            catch (WebSocketException)
            {
            }
        }
    }

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override void Dispose() => _current?.Dispose();

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_over || Take() is not { } socket)
            {
                return new WebSocketReceiveResult(0, WebSocketMessageType.Close, true, WebSocketCloseStatus.NormalClosure, "call over");
            }

            try
            {
                var result = await socket.ReceiveAsync(buffer, cancellationToken);
                if (result.MessageType != WebSocketMessageType.Close || _stopSent)
                {
                    return result;
                }
            }
            catch (WebSocketException) when (!_stopSent)
            {
                // The node died: the stream is gone without a close.
            }

            await NextStreamAsync(socket, cancellationToken);
        }
    }

    public override async Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        _partial.AddRange(buffer);
        if (!endOfMessage)
        {
            return;
        }

        var message = _partial.ToArray();
        _partial.Clear();
        using var json = JsonDocument.Parse(message);
        var kind = json.RootElement.GetProperty("event").GetString();
        if (kind == "start")
        {
            var start = json.RootElement.GetProperty("start");
            message = Start(json.RootElement.GetProperty("streamSid").GetString()!, start.GetProperty("accountSid").GetString()!, start.GetProperty("callSid").GetString()!);
        }
        else if (Volatile.Read(ref _streamSid) is { } resumed)
        {
            // A new stream has a new sid, and every message on it names that one (as Twilio's do).
            var node = System.Text.Json.Nodes.JsonNode.Parse(message)!;
            node["streamSid"] = resumed;
            message = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
        }

        _stopSent |= kind == "stop";
        await SendOrDropAsync(message, cancellationToken);
    }

    private ClientWebSocket? Take()
    {
        lock (_gate)
        {
            return _current;
        }
    }

    private async Task SendOrDropAsync(byte[] message, CancellationToken cancellationToken)
    {
        try
        {
            if (Take() is { State: WebSocketState.Open } socket)
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken);
                return;
            }
        }
        catch (WebSocketException)
        {
        }

        Dropped++;
    }

    /// <summary>Twilio's rule when a stream ends: fetch the action's TwiML and follow it.</summary>
    private async Task NextStreamAsync(ClientWebSocket dead, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _current = null;
        }

        dead.Dispose();
        var next = _connect.Action is { } action ? await twilio.FetchAsync(action) : null;
        if (next is null)
        {
            _over = true;
            return;
        }

        var socket = await twilio.OpenStreamAsync(next, cancellationToken);
        _connect = next;
        var streamSid = $"MZresumed{++_streams}";
        Volatile.Write(ref _streamSid, streamSid);
        _out.ResetWrittenCount();
        TwilioCarrierWriter.WriteConnected(_out);
        await socket.SendAsync(_out.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
        var callSid = next.Parameters.TryGetValue("CallSid", out var sid) ? sid : "";
        await socket.SendAsync(Start(streamSid, "AC00000000000000000000000000000000", callSid), WebSocketMessageType.Text, true, cancellationToken);
        lock (_gate)
        {
            _current = socket;
        }
    }

    private byte[] Start(string streamSid, string accountSid, string callSid)
    {
        var writer = new ArrayBufferWriter<byte>(512);
        TwilioCarrierWriter.WriteStart(writer, 1, streamSid, accountSid, callSid, _connect.Parameters);
        return writer.WrittenSpan.ToArray();
    }
}
