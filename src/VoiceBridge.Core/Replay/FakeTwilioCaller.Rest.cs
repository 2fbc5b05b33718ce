using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using VoiceBridge.Legs.Twilio;

namespace VoiceBridge.Replay;

public sealed partial class FakeTwilioCaller
{
    private readonly List<string> _callUpdates = [];
    private string? _transferredTo;
    private volatile bool _streamEndRequested;

    /// <summary>
    /// The Calls API moved this call to new TwiML: as Twilio does, the media stream ends (a
    /// <c>stop</c> at the next frame, then the socket closes). A <c>&lt;Dial&gt;</c> is a transfer,
    /// recorded with its target.
    /// </summary>
    internal void OnCallUpdated(string twiml)
    {
        lock (Gate)
        {
            _callUpdates.Add(twiml);
            _transferredTo ??= DialTarget(twiml);
        }

        _streamEndRequested = true;
    }

    /// <summary>The target of the TwiML's <c>&lt;Dial&gt;</c>: its <c>&lt;Number&gt;</c>, <c>&lt;Sip&gt;</c> or own text.</summary>
    internal static string? DialTarget(string twiml)
    {
        try
        {
            var dial = XDocument.Parse(twiml).Root?.Element("Dial");
            if (dial is null)
            {
                return null;
            }

            var noun = dial.Elements().FirstOrDefault(e => e.Name.LocalName is "Number" or "Sip" or "Client");
            return (noun?.Value ?? dial.Value).Trim();
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }
}

/// <summary>
/// Twilio's REST API as the replay's carrier serves it, in process (an <see cref="HttpMessageHandler"/>
/// under the bridge's <see cref="TwilioCallUpdater"/>, so no socket and no thread hop: it answers
/// synchronously, on virtual time too). It serves the Calls API update
/// (<c>POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json</c>, form-encoded <c>Twiml</c>),
/// checks HTTP Basic auth with <see cref="AccountSid"/> and <see cref="AuthToken"/>, and hands the
/// TwiML to the <see cref="FakeTwilioCaller"/> of that call. Errors are Twilio's JSON errors
/// (20003 authenticate, 20404 not found, 21220 not in progress).
/// </summary>
public sealed class FakeTwilioRest : HttpMessageHandler
{
    public const string AccountSid = "AC00000000000000000000000000000000";
    public const string AuthToken = "replay-auth-token";

    private readonly ConcurrentDictionary<string, FakeTwilioCaller> _calls = new(StringComparer.Ordinal);
    private readonly List<FakeRestRequest> _requests = [];

    /// <summary>The bridge's REST credentials for this fake.</summary>
    public TwilioRestOptions Options => new() { AccountSid = AccountSid, AuthToken = AuthToken };

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<FakeRestRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Serves the call <paramref name="callSid"/> while the returned handle is not disposed.</summary>
    public IDisposable Attach(string callSid, FakeTwilioCaller caller)
    {
        _calls[callSid] = caller;
        return new Detach(() => _calls.TryRemove(callSid, out _));
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) => Handle(request);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Handle(request));

    private HttpResponseMessage Handle(HttpRequestMessage request)
    {
        var body = "";
        if (request.Content is not null)
        {
            using var reader = new StreamReader(request.Content.ReadAsStream());
            body = reader.ReadToEnd();
        }

        var form = ParseForm(body);
        var path = request.RequestUri?.AbsolutePath ?? "";
        lock (_requests)
        {
            _requests.Add(new FakeRestRequest(request.Method.Method, path, request.Headers.Authorization?.ToString(), form));
        }

        if (!Authorized(request))
        {
            return Error(HttpStatusCode.Unauthorized, 20003, "Authenticate");
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (request.Method != HttpMethod.Post || parts is not ["2010-04-01", "Accounts", var account, "Calls", var callFile] || !callFile.EndsWith(".json", StringComparison.Ordinal))
        {
            return Error(HttpStatusCode.NotFound, 20404, $"The requested resource {path} was not found");
        }

        var callSid = callFile[..^".json".Length];
        if (account != AccountSid || !_calls.TryGetValue(callSid, out var caller))
        {
            return Error(HttpStatusCode.NotFound, 20404, $"The requested resource {path} was not found");
        }

        if (!form.TryGetValue("Twiml", out var twiml))
        {
            return Error(HttpStatusCode.BadRequest, 21220, "Invalid call state for this operation: only Twiml updates are served by the replay's fake");
        }

        caller.OnCallUpdated(twiml);
        var json = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["sid"] = callSid,
            ["account_sid"] = account,
            ["status"] = "in-progress",
            ["uri"] = $"/2010-04-01/Accounts/{account}/Calls/{callSid}.json",
        });
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
    }

    private static bool Authorized(HttpRequestMessage request)
    {
        if (request.Headers.Authorization is not { Scheme: "Basic", Parameter: { } parameter })
        {
            return false;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(parameter)) == $"{AccountSid}:{AuthToken}";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ParseForm(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = WebUtility.UrlDecode(eq < 0 ? pair : pair[..eq]);
            form[name] = eq < 0 ? "" : WebUtility.UrlDecode(pair[(eq + 1)..]);
        }

        return form;
    }

    private static HttpResponseMessage Error(HttpStatusCode status, int code, string message) => new(status)
    {
        Content = new StringContent(
            JsonSerializer.Serialize(new { code, message, more_info = $"https://www.twilio.com/docs/errors/{code}", status = (int)status }),
            Encoding.UTF8,
            "application/json"),
    };

    private sealed class Detach(Action detach) : IDisposable
    {
        public void Dispose() => detach();
    }
}

/// <summary>One request the fake REST API received: method, path, Authorization header, form fields.</summary>
public sealed record FakeRestRequest(string Method, string Path, string? Authorization, IReadOnlyDictionary<string, string> Form);
