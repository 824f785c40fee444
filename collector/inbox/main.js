import 'uplot/dist/uPlot.min.css';
import './inbox.css';
import './dashboard.js';
import './deliveries.js';
