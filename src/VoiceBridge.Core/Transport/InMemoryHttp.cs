using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace VoiceBridge.Transport;

/// <summary>
/// HTTP servers (ASP.NET Core request delegates, the very handlers Kestrel maps) and an
/// <see cref="HttpClient"/> handler joined in memory, so HTTP providers (chat LLMs, OpenAI speech)
/// replay on virtual time with their official SDKs unchanged. Like <see cref="InMemoryNetwork"/>:
/// the server runs on the <see cref="SynchronizationContext"/> captured at construction (the
/// virtual-time loop), and everything the client awaits (the response headers, each body read) is
/// completed from a callback posted there with no context current, so the SDKs'
/// <c>ConfigureAwait(false)</c> continuations run inline on the loop instead of the thread pool.
/// The response streams as the server writes it; <see cref="HttpContext.Abort"/> before the
/// response started is a refused connection (<see cref="HttpRequestException"/>), after it a body
/// that breaks off (<see cref="IOException"/>). A client that goes away aborts the request.
/// </summary>
public sealed partial class InMemoryHttp : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, RequestDelegate> _servers = new(StringComparer.OrdinalIgnoreCase);
    private readonly SynchronizationContext? _context = SynchronizationContext.Current;

    /// <summary>Serves requests to <paramref name="authority"/> (host[:port]) with <paramref name="handler"/>.</summary>
    public void Listen(string authority, RequestDelegate handler) => _servers[authority] = handler;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("the request has no URI");
        if (!_servers.TryGetValue(uri.Authority, out var handler))
        {
            return Task.FromException<HttpResponseMessage>(
                new HttpRequestException($"connection refused: no in-memory server listening at {uri.Authority}", null, HttpStatusCode.ServiceUnavailable));
        }

        var exchange = new Exchange(request, _context, cancellationToken);
        var read = request.Content?.ReadAsByteArrayAsync(cancellationToken) ?? Task.FromResult(Array.Empty<byte>());
        if (read.IsCompletedSuccessfully)
        {
            exchange.Start(handler, read.Result);
        }
        else
        {
            _ = StartWhenReadAsync(exchange, handler, read);
        }

        return exchange.Response;
    }

    private static async Task StartWhenReadAsync(Exchange exchange, RequestDelegate handler, Task<byte[]> read)
    {
        try
        {
            exchange.Start(handler, await read);
        }
        catch (Exception e)
        {
            exchange.FailBeforeStart(new HttpRequestException($"reading the request body failed: {e.Message}", e));
        }
    }

    /// <summary>One request and its response: the server's features and the client's view.</summary>
    private sealed class Exchange : IHttpResponseFeature, IHttpResponseBodyFeature, IHttpRequestLifetimeFeature
    {
        private readonly HttpRequestMessage _request;
        private readonly SynchronizationContext? _context;
        private readonly TaskCompletionSource<HttpResponseMessage> _response = new();
        private readonly CancellationTokenSource _aborted = new();
        private readonly InMemoryByteQueue _body;
        private readonly ServerBody _serverBody;
        private readonly object _gate = new();
        private CancellationTokenRegistration _clientCancel;
        private PipeWriter? _writer;
        private bool _started;
        private bool _done;

        public Exchange(HttpRequestMessage request, SynchronizationContext? context, CancellationToken cancellationToken)
        {
            _request = request;
            _context = context;
            _body = new InMemoryByteQueue(context);
            _serverBody = new ServerBody(this);
            RequestAborted = _aborted.Token;
            if (cancellationToken.CanBeCanceled)
            {
                _clientCancel = cancellationToken.Register(() => ClientCancelled(cancellationToken));
            }
        }

        public Task<HttpResponseMessage> Response => _response.Task;

        public int StatusCode { get; set; } = 200;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

        [Obsolete("Use IHttpResponseBodyFeature.Stream")]
        public Stream Body { get => _serverBody; set => throw new NotSupportedException(); }

        public bool HasStarted => _started;

        public Stream Stream => _serverBody;

        public PipeWriter Writer => _writer ??= PipeWriter.Create(_serverBody, new StreamPipeWriterOptions(leaveOpen: true));

        public CancellationToken RequestAborted { get; set; }

        public void Start(RequestDelegate handler, byte[] requestBody)
        {
            var features = new FeatureCollection();
            var uri = _request.RequestUri!;
            var request = new HttpRequestFeature
            {
                Protocol = "HTTP/1.1",
                Scheme = uri.Scheme,
                Method = _request.Method.Method,
                Path = uri.AbsolutePath,
                QueryString = uri.Query,
                RawTarget = uri.PathAndQuery,
                Body = new MemoryStream(requestBody, writable: false),
            };
            request.Headers.Host = uri.Authority;
            foreach (var (name, values) in _request.Headers.Concat(_request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                request.Headers[name] = values.ToArray();
            }

            features.Set<IHttpRequestFeature>(request);
            features.Set<IHttpResponseFeature>(this);
            features.Set<IHttpResponseBodyFeature>(this);
            features.Set<IHttpRequestLifetimeFeature>(this);
            var context = new DefaultHttpContext(features);
            if (_context is null)
            {
                _ = ServeAsync(handler, context);
            }
            else
            {
                _context.Post(_ => _ = ServeAsync(handler, context), null);
            }
        }

        public void FailBeforeStart(Exception e) => Complete(() => _response.TrySetException(e));

        /// <summary>Runs the server; a response it did not start is sent when it returns.</summary>
        private async Task ServeAsync(RequestDelegate handler, HttpContext context)
        {
            try
            {
                await handler(context);
                if (_writer is not null)
                {
                    await _writer.FlushAsync();
                }

                StartResponse();
                Finish(null);
            }
            catch (Exception e)
            {
                if (!_started)
                {
                    StatusCode = 500;
                    StartResponse();
                }

                Finish(new IOException($"the in-memory server failed: {e.Message}", e));
            }
        }

        /// <summary>The headers go to the client: status, headers, and a body that streams what follows.</summary>
        private void StartResponse()
        {
            lock (_gate)
            {
                if (_started || _done)
                {
                    return;
                }

                _started = true;
            }

            var content = new StreamContent(new ClientBody(_body, this));
            var message = new HttpResponseMessage((HttpStatusCode)StatusCode)
            {
                ReasonPhrase = ReasonPhrase ?? ReasonPhrases.GetReasonPhrase(StatusCode),
                RequestMessage = _request,
                Content = content,
            };
            foreach (var (name, values) in Headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                {
                    content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }

            _clientCancel.Dispose();
            Complete(() => _response.TrySetResult(message));
        }

        /// <summary>The body ends: cleanly, or broken off by <paramref name="error"/>.</summary>
        private void Finish(Exception? error)
        {
            lock (_gate)
            {
                if (_done)
                {
                    return;
                }

                _done = true;
            }

            _body.Complete(error);
        }

        public void Abort()
        {
            bool started;
            lock (_gate)
            {
                started = _started;
                if (_done)
                {
                    return;
                }

                _done = true;
            }

            if (started)
            {
                _body.Complete(new IOException("the server aborted the connection in the middle of the response"));
            }
            else
            {
                Complete(() => _response.TrySetException(new HttpRequestException("the server aborted the connection (connection reset)")));
            }

            _aborted.Cancel();
        }

        /// <summary>The client gave up (its token before the headers, or disposed the body): the server sees the request aborted.</summary>
        public void ClientGone()
        {
            lock (_gate)
            {
                _done = true;
            }

            _aborted.Cancel();
        }

        private void ClientCancelled(CancellationToken token)
        {
            lock (_gate)
            {
                if (_started)
                {
                    return;
                }
            }

            ClientGone();
            Complete(() => _response.TrySetCanceled(token));
        }

        public void Write(ReadOnlySpan<byte> data)
        {
            StartResponse();
            if (!_aborted.IsCancellationRequested)
            {
                _body.Write(data);
            }
        }

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default)
        {
            StartResponse();
            return Task.CompletedTask;
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("in-memory HTTP does not send files");

        public async Task CompleteAsync()
        {
            if (_writer is not null)
            {
                await _writer.FlushAsync();
            }

            StartResponse();
            Finish(null);
        }

        public void OnStarting(Func<object, Task> callback, object state)
        {
        }

        public void OnCompleted(Func<object, Task> callback, object state)
        {
        }

        /// <summary>Completes something the client awaits, from the loop with no context current (see the class remarks).</summary>
        private void Complete(Action complete)
        {
            if (_context is null)
            {
                complete();
                return;
            }

            _context.Post(_ => InMemoryByteQueue.OutsideContext(complete), null);
        }
    }
}
