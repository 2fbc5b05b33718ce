using global::Twilio.Clients;
using global::Twilio.Http;
using global::Twilio.Rest.Api.V2010.Account;
using global::Twilio.Types;

namespace VoiceBridge.Legs.Twilio;

/// <summary>Moves a live Twilio call to new TwiML (the Calls API): how a Media Streams leg transfers.</summary>
public interface ITwilioCallUpdater
{
    /// <summary>
    /// <c>POST /2010-04-01/Accounts/{accountSid}/Calls/{callSid}.json</c> with <c>Twiml=</c>;
    /// throws when Twilio refuses (an <see cref="global::Twilio.Exceptions.ApiException"/> with its code) or cannot be reached.
    /// </summary>
    Task UpdateTwimlAsync(string? accountSid, string callSid, string twiml, CancellationToken cancellationToken);
}

/// <summary>
/// <see cref="ITwilioCallUpdater"/> on the Twilio SDK (<see cref="CallResource"/>), with the
/// account's credentials (HTTP Basic: account SID and auth token). The SDK always builds
/// <c>https://api.twilio.com/...</c> URLs; with <see cref="TwilioRestOptions.ApiBaseUrl"/> set, a
/// handler under its HTTP client sends them to that base instead (path and query kept), which is
/// how tests and replays reach a fake. <paramref name="handler"/>: the innermost HTTP handler
/// (default: sockets); a replay passes its in-process fake.
/// </summary>
public sealed class TwilioCallUpdater(TwilioRestOptions options, HttpMessageHandler? handler = null) : ITwilioCallUpdater, IDisposable
{
    private readonly System.Net.Http.HttpClient _http = new(new ApiBaseHandler(options.ApiBaseUrl, handler ?? new SocketsHttpHandler()))
    {
        Timeout = options.Timeout,
    };

    private TwilioRestClient? _client;

    public async Task UpdateTwimlAsync(string? accountSid, string callSid, string twiml, CancellationToken cancellationToken)
    {
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("Twilio REST credentials are not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)");
        }

        _client ??= new TwilioRestClient(options.AccountSid, options.AuthToken, httpClient: new SystemNetHttpClient(_http));
        var update = new UpdateCallOptions(callSid)
        {
            PathAccountSid = string.IsNullOrEmpty(accountSid) ? options.AccountSid : accountSid,
            Twiml = new Twiml(twiml),
        };
        await CallResource.UpdateAsync(update, _client).WaitAsync(cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends every request to the configured API base (when there is one), keeping its path and query.</summary>
    private sealed class ApiBaseHandler(Uri? apiBase, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Redirect(request);
            return base.SendAsync(request, cancellationToken);
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Redirect(request);
            return base.Send(request, cancellationToken);
        }

        private void Redirect(HttpRequestMessage request)
        {
            if (apiBase is null || request.RequestUri is not { } uri)
            {
                return;
            }

            request.RequestUri = new Uri(apiBase.GetLeftPart(UriPartial.Authority) + apiBase.AbsolutePath.TrimEnd('/') + uri.PathAndQuery);
        }
    }
}
